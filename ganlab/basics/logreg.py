"""Logistic regression, the textbook discriminative model, trained by plain gradient descent.

Model: P(y=1 | x) = sigmoid(w·x + b). Loss: mean negative log-likelihood plus (l2/2)·|w|².
Gradient (written out, no autograd): with p_i = sigmoid(w·x_i + b),

    dL/dw = (1/n) Σ_i (p_i − y_i) x_i + l2·w,      dL/db = (1/n) Σ_i (p_i − y_i).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_expit


def _check_xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D with shape (n, d), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got shape {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"logistic regression needs labels in {{0, 1}}, got {sorted(set(np.unique(y).tolist()))}")
    if np.isnan(X).any():
        raise ValueError("X has missing values (NaN); logistic regression needs every feature of every row")
    return X, y.astype(float)


def loss_and_grad(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, l2: float = 0.0):
    """Mean negative log-likelihood (+ L2 penalty) and its gradient ``(loss, dw, db)``, by the formula."""
    z = X @ w + b
    # -log sigmoid(z) for y=1 and -log(1 - sigmoid(z)) = -log sigmoid(-z) for y=0, computed stably.
    loss = -np.mean(y * log_expit(z) + (1 - y) * log_expit(-z)) + 0.5 * l2 * (w @ w)
    r = expit(z) - y  # residual p_i - y_i
    return loss, X.T @ r / len(y) + l2 * w, r.mean()


class LogisticRegression:
    """Binary logistic regression fit by full-batch gradient descent from w = 0, b = 0."""

    def __init__(self, l2: float = 1e-4, lr: float = 1.0, steps: int = 500):
        if not (np.isfinite(l2) and l2 >= 0):
            raise ValueError(f"l2 must be a finite number >= 0, got {l2!r}")
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a positive number (> 0), got {lr!r}")
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
        self.l2, self.lr, self.steps = float(l2), float(lr), int(steps)

    def fit(self, X, y) -> "LogisticRegression":
        X, y = _check_xy(X, y)
        self.w_, self.b_ = np.zeros(X.shape[1]), 0.0
        self.loss_history_ = []
        for _ in range(self.steps):
            loss, dw, db = loss_and_grad(self.w_, self.b_, X, y, self.l2)
            self.loss_history_.append(loss)
            self.w_ -= self.lr * dw
            self.b_ -= self.lr * db
        return self

    def decision_function(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != len(self.w_):
            raise ValueError(f"X must have shape (n, {len(self.w_)}), got shape {X.shape}")
        if np.isnan(X).any():
            rows, cols = np.nonzero(np.isnan(X))
            raise ValueError(
                f"row {rows[0]} is missing feature {cols[0]} (NaN): a discriminative model only knows "
                "P(y | all of x), with no P(x) to average the missing feature over")
        return X @ self.w_ + self.b_

    def predict_proba(self, X) -> np.ndarray:
        """P(y = 1 | x) for every row, shape (n,)."""
        return expit(self.decision_function(X))

    def predict(self, X) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)
