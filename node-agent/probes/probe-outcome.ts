/**
 * What one attempt of a probe handler found, in the kubelet's terms: success;
 * warning (an HTTP redirect the prober would not follow, which still counts
 * as success); failure; unknown. `output` is what the kubelet puts in its
 * events: the command's output, the response body, or why it failed.
 */
export interface ProbeOutcome {
  result: 'success' | 'warning' | 'failure' | 'unknown';
  output: string;
}
