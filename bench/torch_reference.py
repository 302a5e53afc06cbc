"""The GPT of signet_arcade.nn rebuilt in PyTorch from the issue's words, for cross-checks and
the benchmark. Only imported when torch is installed; never a dependency of the app."""
import math

import torch
import torch.nn.functional as F


class TorchGPT(torch.nn.Module):
    def __init__(self, params: dict, cfg):
        super().__init__()
        self.cfg = cfg
        self.p = torch.nn.ParameterDict(
            {k.replace(".", "_"): torch.nn.Parameter(torch.tensor(v)) for k, v in params.items()})

    def __getitem__(self, name):
        return self.p[name.replace(".", "_")]

    def forward(self, idx):
        cfg, P = self.cfg, self
        B, t = idx.shape
        C, H = cfg.embed, cfg.heads
        x = P["wte"][idx] + P["wpe"][:t]
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        for i in range(cfg.layers):
            h = f"h{i}."
            a = F.layer_norm(x, (C,), P[h + "ln1.g"], P[h + "ln1.b"], eps=1e-5)
            q, k, v = (a @ P[h + "attn.wqkv"] + P[h + "attn.bqkv"]).split(C, dim=-1)
            q, k, v = (z.view(B, t, H, C // H).transpose(1, 2) for z in (q, k, v))
            att = (q @ k.transpose(-2, -1)) / math.sqrt(C // H)
            att = att.masked_fill(mask, float("-inf")).softmax(-1)
            y = (att @ v).transpose(1, 2).reshape(B, t, C)
            x = x + y @ P[h + "attn.wo"] + P[h + "attn.bo"]
            m = F.layer_norm(x, (C,), P[h + "ln2.g"], P[h + "ln2.b"], eps=1e-5)
            m = F.gelu(m @ P[h + "mlp.w1"] + P[h + "mlp.b1"], approximate="tanh")
            x = x + m @ P[h + "mlp.w2"] + P[h + "mlp.b2"]
        x = F.layer_norm(x, (C,), P["lnf.g"], P["lnf.b"], eps=1e-5)
        return x @ P["head.w"] + P["head.b"]

    def loss(self, idx, targets):
        logits = self(idx)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))

    def optimizer(self, lr, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.01):
        decay = [p for p in self.p.values() if p.dim() == 2]
        other = [p for p in self.p.values() if p.dim() != 2]
        return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                  {"params": other, "weight_decay": 0.0}], lr=lr, betas=betas, eps=eps)
