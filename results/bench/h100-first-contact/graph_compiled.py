import time, torch, torch.nn.functional as F
from gnet_lib.builder import build_model
torch.backends.cudnn.benchmark = True
def run(bs, cl=True, tensor_lr=True):
    torch.manual_seed(0)
    m = build_model("googlenet", num_classes=10).cuda().train()
    fmt = torch.channels_last if cl else torch.contiguous_format
    m = m.to(memory_format=fmt)
    f = torch.compile(m, dynamic=False)
    lr = torch.tensor(1.0, device="cuda") if tensor_lr else 1.0
    opt = torch.optim.Adadelta(m.parameters(), lr=lr, capturable=True, foreach=True)
    sx = torch.randn(bs, 3, 32, 32, device="cuda").contiguous(memory_format=fmt)
    sy = torch.randint(0, 10, (bs,), device="cuda")
    def body():
        with torch.autocast("cuda", dtype=torch.bfloat16, cache_enabled=False):
            loss = F.cross_entropy(f(sx), sy)
        loss.backward(); opt.step()
        return loss
    s = torch.cuda.Stream(); s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            opt.zero_grad(set_to_none=True); body()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph(); opt.zero_grad(set_to_none=True)
    t0 = time.perf_counter()
    with torch.cuda.graph(g):
        sloss = body()
    cap = time.perf_counter() - t0
    src = torch.randn(bs, 3, 32, 32, device="cuda").contiguous(memory_format=fmt)
    for _ in range(5): sx.copy_(src); g.replay()
    torch.cuda.synchronize(); t = time.perf_counter(); n = 100
    for _ in range(n): sx.copy_(src); g.replay()
    enq = time.perf_counter() - t; torch.cuda.synchronize(); dt = time.perf_counter() - t
    print(f"graph bs={bs} cl={cl} tensor_lr={tensor_lr}: {bs*n/dt:.0f} img/s, {1000*dt/n:.2f} ms/step, enqueue {1000*enq/n:.2f} ms, capture {cap:.1f}s, loss {sloss.item():.3f}", flush=True)
t=time.perf_counter(); run(64); print('total', time.perf_counter()-t)
