import * as tf from '@tensorflow/tfjs-core';

/**
 * Makes sure tfjs has a backend: the towers run in onnxruntime, and tfjs only carries tensors between them
 * and the pipeline (preprocessing, normalising, logits), for which its plain cpu backend is enough and takes
 * no cores from onnxruntime. A tfjs backend chosen earlier in the process is kept. Returns its name.
 */
export async function ensureTensorBackend(): Promise<string> {
  if (!tf.engine().backendName) {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    // The cpu backend's first write prints a banner urging tfjs-node, which is beside the point here.
    const cpu = tf.engine().findBackend('cpu') as unknown as { firstUse?: boolean } | null;
    if (cpu) cpu.firstUse = false;
  }
  return tf.getBackend();
}
