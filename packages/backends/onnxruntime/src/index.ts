// Export: CLIP towers to ONNX through their plug-ins' graphs, written from TypeScript
export { exportOnnxModel, type ExportOnnxModelOptions } from './export/export-onnx-model.js';
export { checkExportPrecision, type ExportPrecision, precisionName, withExportPrecision } from './export/export-precision.js';
export { EXPORTER_VERSION, exportTower, OPSET, towerOnnxExport, towerOnnxModel } from './export/export-tower.js';
export { type ModelWeightShapes, readTowerWeights } from './export/read-tower-weights.js';
export { towerWeightShapes } from './export/tower-weight-shapes.js';
export { type TowerWeights, WeightInitializers } from './export/weight-initializers.js';
export type { Tower } from './tower.js';
export { GraphBuilder } from './onnx/graph-builder.js';
export { encodeOnnxModel } from './onnx/encode-onnx-model.js';
export type { OnnxGraph, OnnxModel, OnnxNode, OnnxValueInfo } from './onnx/onnx-model.js';
export { writeOnnxModel } from './onnx/write-onnx-model.js';
export { type CalibrationBatch, calibrationRanges, type TensorRange } from './transform/calibration-ranges.js';
export { float16Weights, type Float16WeightsOptions } from './transform/float16-weights.js';
export { averagePoolsAsConvs } from './transform/average-pools-as-convs.js';
export { quantizeStaticInt8, type StaticInt8Plan, staticInt8Plan } from './transform/quantize-static-int8.js';
export { INT8_WEIGHTS, type QuantizableWeight, type QuantizedForm, type QuantizeInt8Options, quantizeInt8 } from './transform/quantize-int8.js';

// Inference: ONNX towers in onnxruntime-node, and their plug-ins
export { OnnxImageEncoder, type OnnxImageEncoderOptions } from './runtime/onnx-image-encoder.js';
export { OnnxTextEncoder, type OnnxTextEncoderOptions } from './runtime/onnx-text-encoder.js';
export { OnnxRuntimeBackend } from './runtime/onnx-runtime-backend.js';
export { ensureTensorBackend } from './runtime/tensor-backend.js';
export { findOnnxTowerFile, ONNX_TOWER_FILES } from './runtime/onnx-tower-files.js';
export { sessionOptions } from './runtime/session-options.js';
export { type OnnxRuntimeBackendConfig, onnxRuntimeBackendSchema } from './onnx-runtime-schema.js';
export { onnxImageEncoderPlugin, onnxRuntimeBackendPlugin, onnxTextEncoderPlugin, plugins } from './onnx-runtime-plugins.js';
