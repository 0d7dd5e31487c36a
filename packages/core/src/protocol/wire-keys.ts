/** Keys of the Apollo wire protocol (apollo-inventory §3.1). */
export const WireKey = {
  result: '__mcd_result__',
  traceId: '__mcd_trace_id__',
  error: '__mcd_error__',
  errorType: '__mcd_error_type__',
  errorAttrs: '__mcd_error_attrs__',
  exception: '__mcd_exception__',
  stackTrace: '__mcd_stack_trace__',
  resultLocation: '__mcd_result_location__',
  resultCompressed: '__mcd_result_compressed__',
  requestId: '__mcd_request_id__',
  status: '__mcd_status__',
  created: '__mcd_created__',
  lastUpdated: '__mcd_last_updated__',
  /** Artemis: the progress of a long job (a webhook delivery's checkpoint) in its status. */
  progress: '__mcd_progress__',
  reference: '__reference__',
  type: '__type__',
  data: '__data__',
} as const;

export const TRACE_ID_HEADER = 'x-mcd-trace-id';
