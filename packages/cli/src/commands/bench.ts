// `specvae bench`: DSP and training speed on this machine.
import { Option } from 'commander';
import { action, type CommandModule } from '../context.js';
import { formatDuration } from '../output.js';
import { intArg, threadsOption } from '../vae/options.js';
import { loadModule } from './lazy.js';

interface BenchOptions {
  preset: 'default' | 'original';
  model: 'standard' | 'gmvae' | 'cvae';
  batchSize: number;
  steps: number;
  clips: number;
  threads?: number;
  tiny?: boolean;
  data?: string;
}

export const benchCommand: CommandModule = {
  name: 'bench',
  register(program, invocation) {
    return program
      .command('bench')
      .description('measure this machine: spectrogram features and Griffin-Lim (dsp-wasm), VAE training steps and inference (tfjs WebAssembly)')
      .addOption(new Option('--preset <name>', 'feature preset').choices(['default', 'original']).default('default'))
      .addOption(new Option('--model <kind>', 'model kind').choices(['standard', 'gmvae', 'cvae']).default('cvae'))
      .addOption(new Option('--batch-size <n>', 'clips per training step').argParser(intArg(1, 4096)).default(64))
      .addOption(new Option('--steps <n>', 'timed training steps (after one warm-up step)').argParser(intArg(1, 1000)).default(3))
      .addOption(new Option('--clips <n>', 'clips for the feature benchmark').argParser(intArg(1, 3000)).default(256))
      .addOption(new Option('--data <dir>', 'FSDD folder for real recordings (default: synthetic clips)').env('FSDD_DIR'))
      .addOption(threadsOption())
      .addOption(new Option('--tiny', 'a tiny architecture').hideHelp())
      .addHelpText('after', `
The package benchmarks with baselines (PyTorch, numpy, other FFTs) are \`pnpm bench\` in
packages/dsp-wasm and packages/vae-model; this is the quick check of one machine.

Examples:
  $ specvae bench
  $ specvae bench --data ../shared/fsdd --preset original --json`)
      .action(action<BenchOptions>(invocation, async (opts, ctx) => {
        const m = await loadModule(async () => ({ engine: await import('../vae/engine.js'), bench: await import('../vae/bench.js') }));
        const dsp = await m.engine.getDsp();
        const backend = await m.engine.startBackend(ctx, opts.threads);
        const r = await m.bench.runBench(ctx, dsp, backend, {
          preset: opts.preset, model: opts.model, batchSize: opts.batchSize, steps: opts.steps, clips: opts.clips, tiny: opts.tiny === true,
          dataDir: opts.data ?? null,
        });
        const rows: [string, string][] = [
          ['backend', `tfjs ${r.backend.backend} ${r.backend.build}, ${r.backend.threads} threads; dsp-wasm ${r.dsp.simd ? 'SIMD' : 'scalar'}`],
          ['features', `${r.dsp.clipsPerSecond.toFixed(0)} clips/s (${r.dsp.clips} ${r.dsp.source} clips in ${formatDuration(r.dsp.featureSeconds)})`],
          ['Griffin-Lim', `${r.dsp.griffinLimMs.toFixed(1)} ms per clip (${r.dsp.griffinLimIterations} iterations)`],
          ['training', `${r.training.msPerStep.toFixed(0)} ms per step of ${r.training.batchSize} (${r.training.clipsPerSecond.toFixed(1)} clips/s; ${r.training.model}, ${r.training.preset} preset, ${r.training.parameters.toLocaleString('en')} parameters)`],
          ['epoch', `about ${formatDuration(r.training.epochSecondsEstimate)} for the 2,520 training clips`],
          ['inference', `${r.inference.msPerClip.toFixed(2)} ms per clip (encode + decode, batch ${r.inference.clips})`],
        ];
        ctx.out.result(() => rows.map(([k, v]) => `${k.padEnd(12)} ${v}`), r);
      }));
  },
};
