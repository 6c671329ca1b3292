import multiprocessing as mp
import sys

import torch
from torch.utils.data import DataLoader, Dataset


def square(x):
    import torch
    return float(torch.tensor(x) ** 2), torch.__name__


class Squares(Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        import torch
        return torch.tensor([float(i) ** 2]), torch.__name__


def report(q):
    import torch
    q.put(torch.__name__ + ":" + str(torch.ones(2).sum().item()))


if __name__ == "__main__":
    method = sys.argv[1]
    ctx = mp.get_context(method)
    with ctx.Pool(2) as pool:
        print("pool", pool.map(square, [1, 2, 3]))
    q = ctx.Queue()
    p = ctx.Process(target=report, args=(q,))
    p.start(); print("process", q.get(timeout=60)); p.join()
    dl = DataLoader(Squares(), batch_size=3, num_workers=2, multiprocessing_context=method)
    print("loader", [(b[0].flatten().tolist(), b[1]) for b in dl])
