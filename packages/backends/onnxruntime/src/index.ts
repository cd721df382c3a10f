// Export: CLIP towers to ONNX, written from TypeScript
export { exportOnnxModel, type ExportOnnxModelOptions } from './export/export-onnx-model.js';
export { exportImageTower, exportTextTower, imageTowerModel, OPSET, textTowerModel } from './export/export-tower.js';
export { readTowerWeights } from './export/read-tower-weights.js';
export { checkTowerWeights, type Tower, towerWeightShapes, type TowerWeights } from './export/tower-weights.js';
export { encodeOnnxModel } from './onnx/encode-onnx-model.js';
export type { OnnxAttribute, OnnxDataType, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './onnx/onnx-model.js';
export { writeOnnxModel } from './onnx/write-onnx-model.js';

// Inference: ONNX towers in onnxruntime-node, and their plug-ins
export { OnnxImageEncoder, type OnnxImageEncoderOptions } from './runtime/onnx-image-encoder.js';
export { OnnxTextEncoder, type OnnxTextEncoderOptions } from './runtime/onnx-text-encoder.js';
export { OnnxRuntimeBackend } from './runtime/onnx-runtime-backend.js';
export { findOnnxTowerFile, ONNX_TOWER_FILES } from './runtime/onnx-tower-files.js';
export { sessionOptions } from './runtime/session-options.js';
export { onnxResNetPlugin, onnxRuntimeBackendPlugin, onnxRuntimePlugins, onnxTextPlugin, onnxVitPlugin } from './onnx-runtime-plugins.js';
