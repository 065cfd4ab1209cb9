// The page's web vitals as a stream source. Package subpath `rxflink/web-vitals`, with the
// `web-vitals` package as an optional peer dependency (docs/architecture.md §10, docs/telemetry.md).
export {
  fromWebVitals,
  type VitalRegistration,
  type WebVitalsLibrary,
  type WebVitalsOptions,
} from './fromWebVitals.js';
export { VITAL_NAMES, type VitalName, type VitalUpdate } from './vital-update.js';
