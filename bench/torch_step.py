"""The TopK SAE training step written plainly in PyTorch, the baseline of bench/compare.sh.

One step, as sae4j's (CompareStep) and SAELens/sparsify's: encode (x - b_dec) @ W_enc + b_enc, top-k, ReLU, decode,
loss = mean_n ||x_hat_n - x_n||^2, autograd backward, remove the decoder gradient's component along each decoder row,
Adam, renormalise the decoder rows. No dead latents, so no AuxK (as sae4j's headline figure).

  --decode dense   codes scattered into [N, d_sae], then codes @ W_dec (autograd: three dense matmuls in backward)
  --decode sparse  F.embedding_bag over the k chosen decoder rows (sparsify's eager sparse decoder)

Prints the median step time and one line 'RESULT key=value ...' for the script. Run by Debian's /usr/bin/python3 with
python3-torch; threads, OpenBLAS core type and glibc malloc settings come from the environment (see compare.sh).
"""

import argparse
import statistics
import time

import torch
import torch.nn.functional as F


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", default="4096:768:16384:32", help="N:d_in:d_sae:k")
    p.add_argument("--decode", choices=["dense", "sparse"], required=True)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--warmup", type=int, default=2)
    args = p.parse_args()
    n, d_in, d_sae, k = (int(v) for v in args.shape.split(":"))
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    # Init as sae4j and SAELens TopK: unit decoder rows, W_enc = W_dec^T, zero biases.
    w_dec = torch.randn(d_sae, d_in)
    w_dec /= w_dec.norm(dim=1, keepdim=True)
    W_dec = torch.nn.Parameter(w_dec)
    W_enc = torch.nn.Parameter(w_dec.t().contiguous())
    b_enc = torch.nn.Parameter(torch.zeros(d_sae))
    b_dec = torch.nn.Parameter(torch.zeros(d_in))
    params = [W_enc, b_enc, W_dec, b_dec]
    opt = torch.optim.Adam(params, lr=4e-4, betas=(0.9, 0.999), eps=1e-8)
    x = torch.randn(n, d_in)

    def step():
        pre = (x - b_dec) @ W_enc + b_enc                       # [N, d_sae]
        vals, idx = pre.topk(k, dim=-1, sorted=False)           # [N, k]
        vals = F.relu(vals)
        if args.decode == "dense":
            codes = torch.zeros_like(pre).scatter(-1, idx, vals)  # [N, d_sae]
            x_hat = codes @ W_dec + b_dec
        else:
            x_hat = F.embedding_bag(idx, W_dec, per_sample_weights=vals, mode="sum") + b_dec
        loss = (x_hat - x).pow(2).sum(-1).mean()
        opt.zero_grad(set_to_none=False)
        loss.backward()
        with torch.no_grad():
            g = W_dec.grad
            g -= (g * W_dec).sum(-1, keepdim=True) * W_dec
        opt.step()
        with torch.no_grad():
            W_dec.div_(W_dec.norm(dim=-1, keepdim=True) + 1e-12)
        return loss.item()

    def encoder_matmul():
        return torch.mm(x, W_enc.detach())

    for _ in range(args.warmup):
        step()
        encoder_matmul()
    step_s, mm_s, step_cpu = [], [], []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        encoder_matmul()
        t1 = time.perf_counter()
        c1 = time.process_time()  # CPU time of all the process's threads: less sensitive to other jobs' load
        step()
        c2 = time.process_time()
        t2 = time.perf_counter()
        mm_s.append(t1 - t0)
        step_s.append(t2 - t1)
        step_cpu.append(c2 - c1)
    s = statistics.median(step_s)
    mm = statistics.median(mm_s)
    cpu = statistics.median(step_cpu)
    print(f"torch {torch.__version__} decode={args.decode} threads={torch.get_num_threads()} "
          f"step median {s * 1e3:.1f} ms (min {min(step_s) * 1e3:.1f}; CPU {cpu * 1e3:.0f} ms), "
          f"encoder matmul {mm * 1e3:.1f} ms")
    print(f"RESULT decode={args.decode} step_ms={s * 1e3:.2f} matmul_ms={mm * 1e3:.2f} tokens_per_s={n / s:.1f} "
          f"step_cpu_ms={cpu * 1e3:.1f}")


if __name__ == "__main__":
    main()
