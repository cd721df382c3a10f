import { describe, expect, it } from 'vitest';
import { shortestEdgeSize } from './resize-shortest-edge.js';

describe('shortestEdgeSize (torchvision Resize(int))', () => {
  it('sets the short side and truncates the long one: int(size * long / short)', () => {
    expect(shortestEdgeSize(640, 480, 224)).toEqual({ width: 298, height: 224 }); // 298.67
    expect(shortestEdgeSize(300, 500, 224)).toEqual({ width: 224, height: 373 }); // 373.33
    expect(shortestEdgeSize(98, 61, 224)).toEqual({ width: 359, height: 224 }); // 359.87, not 360
    expect(shortestEdgeSize(50, 50, 224)).toEqual({ width: 224, height: 224 });
  });
});
