import type { KObject } from '../../../api/kind.js';
import type { RequestContext } from '../handlers/context.js';

/**
 * Who asked for a certificate is the API server's to say, not the
 * requester's: a new CertificateSigningRequest's spec.username, uid, groups
 * and extra are those of the authenticated user, as kube's strategy sets them.
 */
export async function csrRequester(csr: KObject, ctx: RequestContext): Promise<void> {
  const spec = (csr.spec ??= {});
  const user = ctx.userInfo;
  spec.username = user.name;
  if (user.uid) spec.uid = user.uid;
  else delete spec.uid;
  spec.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length) spec.extra = user.extra;
  else delete spec.extra;
}
