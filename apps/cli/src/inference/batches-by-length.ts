/**
 * The indices of `lengths` in batches of at most `batchSize`, shortest first (ties in input order), so texts of
 * similar token counts share a batch: the ONNX text tower computes only up to the batch's last end-of-text
 * token, so a short text batched with long ones would pay for their padding. Every index appears once.
 */
export function batchesByLength(lengths: readonly number[], batchSize: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}
