"""Trains a MixupMixin + AccelerateMixin net; launched by tests/test_accelerate.py.

Run as ``torchrun --nproc_per_node N tests/_accelerate_train.py OUT_DIR``: each
process writes ``rank{i}.json`` with its losses, its first (unmixed) shard
and the trained first-layer weights.
"""

import json
import sys
from pathlib import Path


def main(out_dir: str) -> None:
    import numpy as np
    import torch
    from accelerate import Accelerator
    from skorch import NeuralNetClassifier
    from skorch.hf import AccelerateMixin

    from skmixup import KMixupResampler
    from skmixup.neural_net import BatchMixer, MixupMixin

    class Net(MixupMixin, AccelerateMixin, NeuralNetClassifier):
        def mix_batch(self, Xi, yi):
            if not hasattr(self, "first_shard_"):
                self.first_shard_ = Xi.detach().cpu().numpy().tolist()
            return super().mix_batch(Xi, yi)

    torch.manual_seed(0)
    accelerator = Accelerator(cpu=True)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(512, 2)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    net = Net(
        torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2)),
        criterion=torch.nn.CrossEntropyLoss,
        accelerator=accelerator,
        device=None,
        batch_mixer=BatchMixer.from_resampler(
            KMixupResampler(k=8, alpha=1.0),
            n_classes=2,
            random_state=accelerator.process_index,
        ),
        optimizer=torch.optim.SGD,
        lr=0.1,
        max_epochs=8,
        batch_size=64,
        train_split=None,
        verbose=0,
    )
    net.fit(X, y)
    first_layer = next(net.module_.parameters()).detach().cpu().numpy()
    result = {
        "rank": accelerator.process_index,
        "world": accelerator.num_processes,
        "loss": list(net.history[:, "train_loss"]),
        "first_shard": net.first_shard_,
        "weights": first_layer.ravel().tolist(),
    }
    path = Path(out_dir) / f"rank{accelerator.process_index}.json"
    path.write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
