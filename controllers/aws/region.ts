/**
 * The region, as the AWS cloud-controller-manager finds it: the flag, then the
 * SDK's environment (AWS_REGION, AWS_DEFAULT_REGION), then the instance
 * metadata service (IMDSv2: a session token first, then the placement).
 */
export async function resolveRegion(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = flag || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  try {
    return await regionFromInstanceMetadata(env);
  } catch (err) {
    throw new Error(`no AWS region: pass --region, set AWS_REGION, or run on an EC2 instance (instance metadata: ${(err as Error).message})`);
  }
}

/** The IMDS endpoint the SDK itself would use (AWS_EC2_METADATA_SERVICE_ENDPOINT overrides it). */
export function metadataEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? 'http://169.254.169.254').replace(/\/+$/, '');
}

/** Reads one metadata path with an IMDSv2 session token. */
export async function instanceMetadata(path: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 2_000): Promise<string> {
  const base = metadataEndpoint(env);
  const tokenRes = await fetch(`${base}/latest/api/token`, {
    method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' }, signal: AbortSignal.timeout(timeoutMs),
  });
  if (!tokenRes.ok) throw new Error(`IMDSv2 token: HTTP ${tokenRes.status}`);
  const token = await tokenRes.text();
  const res = await fetch(`${base}/latest/meta-data/${path}`, { headers: { 'x-aws-ec2-metadata-token': token }, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`instance metadata ${path}: HTTP ${res.status}`);
  return (await res.text()).trim();
}

export const regionFromInstanceMetadata = (env: NodeJS.ProcessEnv = process.env): Promise<string> => instanceMetadata('placement/region', env);
