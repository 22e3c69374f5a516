export * from './schema';
export * from './issues';
export * from './rules';
export * from './load';
export * from './names';
