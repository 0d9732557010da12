#!/usr/bin/env python3
"""Trains the small CNN of the digits example and exports it to ONNX.

Data: scikit-learn's 8x8 handwritten digits (1,797 images, pixel values 0..16), scaled to [0, 1].
A fixed random split holds out 25% of the images; the network never sees them while training.
Writes, beside this script:
  digits.onnx            the model: input "image" float32 [1, 1, 8, 8], output "logits" [1, 10]
  test_images.f32        the held-out images, float32 little-endian, N x 64
  test_labels.u8         their labels, one byte each
  pytorch_accuracy.txt   PyTorch's accuracy on them, in percent (e.g. "97.111")

Run with Debian's python3-torch and python3-sklearn:  /usr/bin/python3 examples/digits/train.py
"""
import os

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
torch.set_num_threads(1)

digits = load_digits()
x = (digits.images.astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)
y = digits.target.astype(np.int64)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0,
                                                    stratify=y)


class DigitsCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(16, 32, 3, padding=1)
        self.fc = torch.nn.Linear(32 * 2 * 2, 10)

    def forward(self, t):
        t = torch.nn.functional.max_pool2d(torch.relu(self.conv1(t)), 2)  # 16 x 4 x 4
        t = torch.nn.functional.max_pool2d(torch.relu(self.conv2(t)), 2)  # 32 x 2 x 2
        return self.fc(torch.flatten(t, 1))


model = DigitsCNN()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
for epoch in range(40):
    perm = torch.randperm(len(xt))
    for i in range(0, len(xt), 32):
        idx = perm[i:i + 32]
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
        loss.backward()
        opt.step()

model.eval()
with torch.no_grad():
    pred = model(torch.from_numpy(x_test)).argmax(1).numpy()
acc = 100.0 * float((pred == y_test).mean())
print(f"PyTorch accuracy on {len(y_test)} held-out digits: {acc:.3f}%")

torch.onnx.export(model, torch.zeros(1, 1, 8, 8), os.path.join(HERE, "digits.onnx"),
                  input_names=["image"], output_names=["logits"], opset_version=13)
x_test.reshape(len(x_test), 64).astype("<f4").tofile(os.path.join(HERE, "test_images.f32"))
y_test.astype(np.uint8).tofile(os.path.join(HERE, "test_labels.u8"))
with open(os.path.join(HERE, "pytorch_accuracy.txt"), "w") as f:
    f.write(f"{acc:.3f}\n")
