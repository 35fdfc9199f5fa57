"""A dataset for spawned DataLoader workers, in its own module: a spawned worker imports the
module that defines its dataset, and this one needs only jtorch (not the PyTorch oracle)."""
import jtorch


class JaxInWorker(jtorch.utils.data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return jtorch.tensor([float(i)]) * 2
