export * from './adapter-cases';
export * from './fixture-connector';
export { lambdaContext } from './lambda-context';
