/**
 * A probe's port as the kubelet resolves it: a number as is, a name by the
 * container's ports (and, failing that, a number written as a string).
 * Throws when there is no such port or it is out of range.
 */
export function resolveContainerPort(port: number | string, container: Record<string, any>): number {
  let number: number;
  if (typeof port === 'number') {
    number = port;
  } else {
    const named = (container.ports ?? []).find((p: Record<string, any>) => p.name === port);
    if (named) number = named.containerPort;
    else if (/^-?\d+$/.test(port)) number = Number(port);
    else throw new Error(`port ${port} not found`);
  }
  if (!(Number.isInteger(number) && number > 0 && number < 65536)) throw new Error(`invalid port number: ${number}`);
  return number;
}
