// Public surface of `fault demo`: the demo application users put behind the proxy.
export { startDemo, type DemoOptions, type DemoServer } from './start-demo';
export { runDemoCommand } from './run-demo-command';
