import { StartupError } from './startup-errors';

/**
 * A module named in MCD_CONNECTOR_MODULES cannot be loaded or does not export connectors. A file of its own: only the
 * plugin loader, imported when that variable is set, creates it.
 */
export class PluginError extends StartupError {}
