/** The agent's version in nodeInfo.kubeletVersion: the Kubernetes API it speaks, and whose agent it is. */
export const AGENT_VERSION = 'v1.32.0-skiff';

/** major.minor of the Kubernetes the agent speaks, as the kubelet puts it in its User-Agents. */
export const AGENT_MINOR_VERSION = AGENT_VERSION.replace(/^v(\d+)\.(\d+).*$/, '$1.$2');
