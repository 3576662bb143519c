"""First-contact profile of googlenet training steps on CUDA (scratch, not committed)."""
import json, os, sys, time
import torch, torch.nn.functional as F
from gnet_lib.builder import build_model
from gnet_lib.train import TrainConfig, Trainer
from gnet_lib.data import make_synthetic

torch.backends.cudnn.benchmark = True
out = {}
def run(tag, bs, prec, cl, comp=None, steps=60, opt_name="adadelta"):
    torch.manual_seed(0)
    m = build_model("googlenet", num_classes=10).cuda().train()
    if cl: m = m.to(memory_format=torch.channels_last)
    opt = torch.optim.Adadelta(m.parameters(), lr=1.0) if opt_name == "adadelta" else torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    x = torch.randn(bs, 3, 32, 32, device="cuda"); y = torch.randint(0, 10, (bs,), device="cuda")
    if cl: x = x.contiguous(memory_format=torch.channels_last)
    f = torch.compile(m, mode=comp, dynamic=False) if comp else m
    def step():
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=prec == "bf16"):
            loss = F.cross_entropy(f(x), y)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    t0 = time.perf_counter(); step(); torch.cuda.synchronize(); first = time.perf_counter() - t0
    for _ in range(10): step()
    torch.cuda.synchronize(); t = time.perf_counter()
    for _ in range(steps): step()
    enq = time.perf_counter() - t
    torch.cuda.synchronize(); dt = time.perf_counter() - t
    r = dict(img_s=bs * steps / dt, ms_step=1000 * dt / steps, enqueue_ms=1000 * enq / steps, first_s=first)
    out[tag] = r; print(tag, {k: round(v, 2) for k, v in r.items()}, flush=True)
    return m, opt, step

for bs in (64, 512):
    run(f"eager fp32 nchw b{bs}", bs, "fp32", False)
    run(f"eager bf16 nchw b{bs}", bs, "bf16", False)
    run(f"eager bf16 cl b{bs}", bs, "bf16", True)
run("eager bf16 cl b64 sgd", 64, "bf16", True, opt_name="sgd")
# profiler on eager bf16 cl b64
m, opt, step = run("eager bf16 cl b64 (prof)", 64, "bf16", True, steps=20)
from torch.profiler import profile, ProfilerActivity
with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as p:
    for _ in range(5): step()
    torch.cuda.synchronize()
print(p.key_averages().table(sort_by="self_cuda_time_total", row_limit=18, max_name_column_width=50))
print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=12, max_name_column_width=50))
# engine (Trainer) on synthetic data, epoch loop incl metrics
data = make_synthetic(train_size=64 * 120, test_size=100)
for comp in (False,):
    tr = Trainer(TrainConfig(model="googlenet", dataset="synthetic", batch_size=64, epochs=100, device="cuda", compile=comp, progress=False), data=data)
    tr.train_epoch(0); torch.cuda.synchronize(); t = time.perf_counter(); m1 = tr.train_epoch(1); torch.cuda.synchronize()
    out[f"trainer epoch compile={comp}"] = m1; print("trainer", comp, m1, flush=True)
for bs, mode in ((512, None), (64, None), (64, "max-autotune-no-cudagraphs")):
    if time.time() > float(os.environ.get("DEADLINE", "1e18")): break
    run(f"compiled {mode} bf16 cl b{bs}", bs, "bf16", True, comp=mode or "default")
json.dump(out, open(os.environ["OUT"] + "/profile.json", "w"), indent=1)
