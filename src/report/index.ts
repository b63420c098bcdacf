export { planJsonPieces, renderPlanJson } from './plan-json.js';
export { renderPlanMarkdown } from './plan-markdown.js';
export { renderPlanMermaid } from './plan-mermaid.js';
export { planTextPieces, renderPlanText } from './plan-text.js';
