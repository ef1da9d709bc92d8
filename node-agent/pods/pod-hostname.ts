import type { AnyObject } from '../../client/resource.js';

/** A hostname the kernel takes: a DNS label. */
const MAX_HOSTNAME = 63;
/** setHostnameAsFQDN: the kernel's limit on a hostname, its FQDN included. */
const MAX_FQDN = 64;

/**
 * The hostname the kubelet gives a pod's sandbox: spec.hostname, else the
 * pod's name cut to 63 characters (and off a trailing `-` or `.`); with
 * setHostnameAsFQDN and a subdomain, its FQDN
 * `<hostname>.<subdomain>.<namespace>.svc.<cluster domain>`, which must fit
 * in 64 characters.
 */
export function podHostname(pod: AnyObject, clusterDomain: string): string {
  const name: string = pod.spec?.hostname || pod.metadata.name;
  const hostname = name.length > MAX_HOSTNAME ? name.slice(0, MAX_HOSTNAME).replace(/[-.]+$/, '') : name;
  if (!hostname) throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name}: no hostname is left once "${name}" is cut to ${MAX_HOSTNAME} characters`);
  if (!pod.spec?.setHostnameAsFQDN || !pod.spec?.subdomain) return hostname;
  const fqdn = `${hostname}.${pod.spec.subdomain}.${pod.metadata.namespace}.svc.${clusterDomain}`;
  if (fqdn.length > MAX_FQDN) throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name}: setHostnameAsFQDN: ${fqdn} is ${fqdn.length} characters, more than the ${MAX_FQDN} a hostname may have`);
  return fqdn;
}
