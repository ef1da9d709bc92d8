import type { Attributes } from './attributes.js';

/** rbac/v1 PolicyRule, as stored in Roles and ClusterRoles. */
export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const ALL = '*';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return (rule.verbs ?? []).some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

/**
 * `resource` is what the request addresses, `pods` or `pods/log`. A rule
 * matches with '*', with that exact string, or, for a subresource, with
 * '*' followed by '/' and the subresource ('*' + '/scale' matches any scale).
 */
export function resourceMatches(rule: PolicyRule, resource: string, subresource = ''): boolean {
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === resource) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

/**
 * A rule without resourceNames matches any object; one with names matches
 * only requests naming one of them, so list, watch, create and
 * deletecollection (which name no object) never match it.
 */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** Exact paths, '*' for any, or a prefix ending in '*' ('/apis/*' covers '/apis/apps/v1'). */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === ALL || url === path) return true;
    if (url.endsWith(ALL) && path.startsWith(url.replace(/\*+$/, ''))) return true;
  }
  return false;
}

/** Whether one rule allows the request. */
export function ruleAllows(attrs: Attributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, attrs.verb)) return false;
  if (!attrs.isResourceRequest) return nonResourceURLMatches(rule, attrs.path ?? '');
  const subresource = attrs.subresource ?? '';
  const resource = subresource ? `${attrs.resource ?? ''}/${subresource}` : attrs.resource ?? '';
  return apiGroupMatches(rule, attrs.apiGroup ?? '')
    && resourceMatches(rule, resource, subresource)
    && resourceNameMatches(rule, attrs.name ?? '');
}
