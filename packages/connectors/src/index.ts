export { nativeConnectors } from './native-catalog';
