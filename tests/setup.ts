import '../layers/polyfills';
