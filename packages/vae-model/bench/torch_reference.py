#!/usr/bin/env python3
"""PyTorch-CPU reference for the vae-model training benchmark.

Times one Adam training step (batch 64 by default) of the same conv VAEs that
bench/kernels.bench.ts trains on the tfjs WASM backend, at each requested
thread count, and prints one JSON object on stdout (progress goes to stderr).

Models (mirroring bench/vae-models.ts and src/models/networks.ts):
  encoder: [Conv2d 3x3 'same' (stride s) -> ReLU -> BatchNorm2d] per block,
           flatten (+ one-hot label for the conditional model), Linear mu and
           Linear log-variance;
  decoder: Linear -> reshape (+ label concatenated to z first for the
           conditional model), mirrored [ConvTranspose2d 3x3 (stride s) ->
           ReLU -> BatchNorm2d] blocks, ConvTranspose2d(1) 3x3 stride 1 ->
           sigmoid;
  loss:    recon_weight * per-sample MSE + KL(q || N(0, I)), batch mean; Adam.

usage: python3 bench/torch_reference.py [--models default,small,original]
         [--threads 1,2] [--batch 64] [--reps 3] [--micro original=8]
"""
import argparse
import ctypes
import json
import statistics
import sys
import time

import torch
from torch import nn

STRIDES5 = [(2, 2), (2, 2), (2, 2), (2, 2), (2, 1)]

# name -> (height, width, filters, strides, latent, classes, recon_weight)
MODELS = {
    # defaultArchitecture([128, 144, 1], 'cvae'): Gaussian weight, sigma 0.1
    "default": (128, 144, [16, 32, 64, 128], [(2, 2)] * 4, 16, 10, 128 * 144 / (2 * 0.1 * 0.1)),
    # bench/vae-models.ts SMALL and ORIGINAL: 1e6 * MSE + KL
    "small": (256, 64, [16, 32, 64, 128, 128], STRIDES5, 128, 0, 1e6),
    "original": (256, 64, [512, 256, 128, 64, 32], STRIDES5, 128, 0, 1e6),
}


def same_padding(k):
    return k // 2


class Vae(nn.Module):
    def __init__(self, height, width, filters, strides, latent, classes):
        super().__init__()
        self.classes = classes
        enc = []
        c, h, w = 1, height, width
        for f, s in zip(filters, strides):
            # TF 'same' with stride 2 pads (0, 1); torch pads (1, 1): same output size and work
            enc += [nn.Conv2d(c, f, 3, stride=s, padding=same_padding(3)), nn.ReLU(), nn.BatchNorm2d(f, eps=1e-3, momentum=0.01)]
            c, h, w = f, -(-h // s[0]), -(-w // s[1])
        self.enc = nn.Sequential(*enc)
        self.shape = (c, h, w)
        flat = c * h * w
        self.mu = nn.Linear(flat + classes, latent)
        self.logvar = nn.Linear(flat + classes, latent)
        self.dense = nn.Linear(latent + classes, flat)
        dec = []
        for f, s in zip(reversed(filters), reversed(strides)):
            dec += [nn.ConvTranspose2d(c, f, 3, stride=s, padding=1, output_padding=(s[0] - 1, s[1] - 1)),
                    nn.ReLU(), nn.BatchNorm2d(f, eps=1e-3, momentum=0.01)]
            c = f
        dec += [nn.ConvTranspose2d(c, 1, 3, stride=1, padding=1), nn.Sigmoid()]
        self.dec = nn.Sequential(*dec)

    def forward(self, x, label, eps):
        h = torch.flatten(self.enc(x), 1)
        if self.classes:
            h = torch.cat([h, label], 1)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * eps
        if self.classes:
            z = torch.cat([z, label], 1)
        d = self.dense(z).view(-1, *self.shape)
        return self.dec(d), mu, logvar


def loss_fn(model, x, label, eps, recon_weight):
    xr, mu, logvar = model(x, label, eps)
    mse = torch.mean((x - xr) ** 2, dim=(1, 2, 3))
    kl = -0.5 * torch.sum(1 + logvar - mu * mu - torch.exp(logvar), 1)
    return torch.mean(recon_weight * mse + kl)


def train_step(model, opt, x, label, eps, recon_weight, micro):
    """One Adam step; micro-batches accumulate gradients of the batch mean."""
    opt.zero_grad(set_to_none=True)
    n = x.shape[0]
    total = 0.0
    for s in range(0, n, micro):
        e = min(n, s + micro)
        loss = loss_fn(model, x[s:e], label[s:e], eps[s:e], recon_weight) * ((e - s) / n)
        loss.backward()
        total += float(loss)
    opt.step()
    return total


def loaded_blas():
    """Paths of the BLAS libraries this process has loaded (Linux), e.g. the reference
    libblas or OpenBLAS: PyTorch 1.13 runs ConvTranspose2d through BLAS gemm."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return sorted(paths)
    except OSError:
        return []


def set_blas_threads(t):
    """OpenBLAS keeps its own thread count; match it to torch's."""
    for p in loaded_blas():
        if "openblas" in p:
            try:
                ctypes.CDLL(p).openblas_set_num_threads(t)
            except (OSError, AttributeError):
                pass


def conv_gflop(height, width, filters, strides, batch):
    """Multiply-adds x 2 of the convolutions of one forward pass (x 3 for a training step)."""
    macs = 0
    c, h, w = 1, height, width
    for f, s in zip(filters, strides):
        h, w = -(-h // s[0]), -(-w // s[1])
        macs += h * w * c * f * 9
        c = f
    for f, s in zip(reversed(filters), reversed(strides)):
        macs += h * w * c * f * 9  # transposed conv: each input pixel meets the whole kernel
        h, w, c = h * s[0], w * s[1], f
    macs += h * w * c * 9
    return 2 * macs * batch / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="default,small,original")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3, help="timed steps per model and thread count (median reported)")
    ap.add_argument("--micro", default="original=8", help="micro-batch per model, e.g. original=8,small=64")
    ap.add_argument("--force-original", action="store_true",
                    help="time the original model even with the reference BLAS (about 10 minutes per step)")
    ap.add_argument("--max-seconds", type=float, default=60.0,
                    help="stop repeating a configuration once its timed steps took this long (at least one step)")
    args = ap.parse_args()
    micro = {}
    for item in filter(None, args.micro.split(",")):
        k, v = item.split("=")
        micro[k] = int(v)
    result = {
        "torch": torch.__version__,
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
        "batch": args.batch,
        "models": {},
    }
    # ConvTranspose2d goes through BLAS gemm in torch 1.13; with the reference (netlib) BLAS
    # the original model's 256 -> 512-channel transposed conv makes one step take about 10 minutes.
    torch.zeros(2, 2) @ torch.zeros(2, 2)
    reference_blas = any("/blas/libblas" in p for p in loaded_blas()) and not any("openblas" in p for p in loaded_blas())
    result["referenceBlas"] = reference_blas
    for name in filter(None, args.models.split(",")):
        height, width, filters, strides, latent, classes, recon_weight = MODELS[name]
        mb = micro.get(name, args.batch)
        entry = {"microBatch": mb, "convGflopForward": conv_gflop(height, width, filters, strides, args.batch), "threads": {}}
        if name == "original" and reference_blas and not args.force_original:
            entry["skipped"] = ("reference BLAS (libblas3): its ConvTranspose2d would take about 10 minutes per step "
                                "(estimated from the default model's times); use OpenBLAS or --force-original")
            print(f"torch {name}: skipped ({entry['skipped']})", file=sys.stderr)
            result["models"][name] = entry
            continue
        for t in [int(s) for s in args.threads.split(",") if s]:
            torch.set_num_threads(t)
            set_blas_threads(t)
            torch.manual_seed(1)
            model = Vae(height, width, filters, strides, latent, classes)
            model.train()
            opt = torch.optim.Adam(model.parameters(), lr=5e-4)
            g = torch.Generator().manual_seed(2)
            x = torch.sigmoid(torch.randn(args.batch, 1, height, width, generator=g))
            label = torch.zeros(args.batch, classes)
            if classes:
                label[torch.arange(args.batch), torch.arange(args.batch) % classes] = 1.0
            eps = torch.randn(args.batch, latent, generator=g)
            t0 = time.perf_counter()
            # Warm-up (allocations, kernel selection): one step, or one micro-batch's step when
            # the model trains in micro-batches (the original: a whole step takes a minute).
            w = mb if mb < args.batch else args.batch
            train_step(model, opt, x[:w], label[:w], eps[:w], recon_weight, mb)
            warm = time.perf_counter() - t0
            times = []
            spent = 0.0
            for _ in range(max(1, args.reps)):
                t0 = time.perf_counter()
                train_step(model, opt, x, label, eps, recon_weight, mb)
                dt = time.perf_counter() - t0
                times.append(dt)
                spent += dt
                if spent > args.max_seconds:
                    break
            med = statistics.median(times)
            entry["threads"][str(t)] = {"median": med, "times": times, "warmup": warm}
            print(f"torch {name} threads={t}: {med:.3f} s/step (reps {', '.join(f'{v:.3f}' for v in times)})", file=sys.stderr)
        best = min(entry["threads"].items(), key=lambda kv: kv[1]["median"]) if entry["threads"] else None
        if best is not None:
            entry["bestThreads"] = int(best[0])
            entry["best"] = best[1]["median"]
        result["models"][name] = entry
    result["blas"] = loaded_blas()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
