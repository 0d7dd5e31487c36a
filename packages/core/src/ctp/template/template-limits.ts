/**
 * Bounds on what a template may cost. Templates come from the control plane (a request's `ctp_config`), so every
 * dimension is capped: the text, the expression nesting, the work one evaluation may do and the size of what it
 * builds. The defaults of the shipped pipelines use a small fraction of each.
 */
export const TemplateLimits = {
  /** Characters in one template string. */
  maxTemplateLength: 16 * 1024,
  /** Nesting of expressions (parentheses, literals, operators, filters) in one template. */
  maxNestingDepth: 32,
  /** Expression nodes evaluated in one rendering. */
  maxEvaluationSteps: 10_000,
  /** Characters of a string (or items of a list) an evaluation may build. */
  maxValueLength: 1024 * 1024,
} as const;
