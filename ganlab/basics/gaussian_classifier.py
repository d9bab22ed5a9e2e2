"""A generative classifier: one Gaussian per class, p(x, y) = p(x | y) p(y), classified by Bayes' rule.

``covariance="diag"`` is Gaussian naive Bayes (features independent given the class);
``covariance="full"`` lets features correlate. ``tied=True`` shares one covariance between classes.

Because it models x itself, the same fitted object can also

* evaluate p(x) = Σ_y p(x | y) p(y) (a Gaussian mixture) and flag unlikely inputs (``is_ood``),
* draw new labelled points (``sample``),
* classify rows with missing features (NaN) by marginalising them out: the marginal of a Gaussian
  over a subset of features is the Gaussian with that sub-vector of the mean and sub-block of the
  covariance,
* fill in (impute) missing features with their expected value given the observed ones (``impute``),
* learn from unlabelled points with EM (``fit_semi_supervised``).

Variances are floored at ``reg`` times each feature's variance in the training inputs (for full
covariances: eigenvalues at ``reg`` times the mean feature variance). The floor is a constraint, so
each fit is still an exact (constrained) maximum-likelihood fit and EM never lowers the likelihood.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from ganlab.theory.distributions import LOG_2PI, GaussianMixture, gaussian_logpdf


def diag_gaussian_logpdf(X: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """log N(x; mean, diag(var)) for each row of X: a sum of independent 1-D Gaussian log-densities."""
    return -0.5 * (((X - mean) ** 2) / var + np.log(var) + LOG_2PI).sum(1)


class GaussianClassifier:
    """Gaussian class-conditional generative classifier (naive Bayes when ``covariance='diag'``)."""

    def __init__(self, covariance: str = "diag", tied: bool = False, reg: float = 1e-3):
        if covariance not in ("diag", "full"):
            raise ValueError(f"covariance must be 'diag' (naive Bayes) or 'full', got {covariance!r}")
        if not (np.isfinite(reg) and reg > 0):
            raise ValueError(f"reg must be a positive number (> 0), got {reg!r}")
        self.covariance, self.tied, self.reg = covariance, bool(tied), float(reg)

    # ---------------------------------------------------------------- checks
    def _check_X(self, X, allow_nan: bool = False) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        d = getattr(self, "n_features_", None)
        if X.ndim != 2 or (d is not None and X.shape[1] != d):
            want = f"(n, {d})" if d is not None else "(n, d)"
            raise ValueError(f"X must be 2-D with shape {want}, got shape {X.shape}")
        if not allow_nan and np.isnan(X).any():
            raise ValueError("X has missing values (NaN); training rows must be complete")
        return X

    def _check_fitted(self):
        if not hasattr(self, "means_"):
            raise ValueError("this GaussianClassifier is not fitted yet: call fit(X, y) first")

    # ---------------------------------------------------------------- fitting
    def _m_step(self, X: np.ndarray, R: np.ndarray) -> None:
        """Maximum-likelihood parameters from soft class memberships R (n, K), rows summing to 1."""
        Nk = R.sum(0)
        self.priors_ = Nk / Nk.sum()
        self.means_ = (R.T @ X) / Nk[:, None]
        diffs = X[None] - self.means_[:, None]  # (K, n, d)
        if self.covariance == "diag":
            var = np.einsum("nk,knd->kd", R, diffs ** 2)
            var = np.repeat(var.sum(0, keepdims=True) / Nk.sum(), len(Nk), 0) if self.tied else var / Nk[:, None]
            self.vars_ = np.maximum(var, self.floor_)
            self.covs_ = np.stack([np.diag(v) for v in self.vars_])
        else:
            cov = np.einsum("nk,kni,knj->kij", R, diffs, diffs)
            cov = np.repeat(cov.sum(0, keepdims=True) / Nk.sum(), len(Nk), 0) if self.tied else cov / Nk[:, None, None]
            floor = self.floor_.mean()
            clipped = []
            for c in cov:
                lam, V = np.linalg.eigh(0.5 * (c + c.T))
                clipped.append((V * np.maximum(lam, floor)) @ V.T)
            self.covs_ = np.stack(clipped)
            self.vars_ = np.stack([np.diag(c) for c in self.covs_])

    def fit(self, X, y, n_classes: int | None = None) -> "GaussianClassifier":
        """Maximum-likelihood fit from labelled data. Labels must be integers 0 .. K-1."""
        X = self._check_X(X)
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got shape {y.shape}")
        if y.size == 0 or not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
            raise ValueError(f"y must hold integer class labels 0, 1, ..., got {y[:5]!r}...")
        K = int(y.max()) + 1 if n_classes is None else int(n_classes)
        if y.max() >= K:
            raise ValueError(f"label {y.max()} is out of range for n_classes={K} (allowed 0..{K - 1})")
        counts = np.bincount(y, minlength=K)
        if (counts == 0).any():
            k = int(np.flatnonzero(counts == 0)[0])
            raise ValueError(f"class {k} has 0 labelled examples; every class 0..{K - 1} needs at least 1 "
                             "(a generative model cannot estimate p(x | y) for a class it never saw)")
        self.n_features_ = X.shape[1]
        self.n_classes_ = K
        self.floor_ = self.reg * np.maximum(X.var(0), 1e-12)
        self._m_step(X, np.eye(K)[y])
        self.train_log_px_ = self.log_px(X)
        return self

    def fit_semi_supervised(self, X, y, X_unlabelled, n_iter: int = 100, tol: float = 1e-8,
                            n_classes: int | None = None) -> "GaussianClassifier":
        """EM on labelled (X, y) plus unlabelled inputs: the unknown labels are the hidden variables.

        Starts from the supervised fit. E-step: responsibilities p(y | x) for the unlabelled rows
        (labelled rows keep their one-hot labels). M-step: weighted maximum likelihood. Records the
        observed-data log-likelihood Σ_lab log p(x, y) + Σ_unlab log p(x) in ``loglik_history_``.
        """
        if isinstance(n_iter, bool) or not isinstance(n_iter, (int, np.integer)) or n_iter < 1:
            raise ValueError(f"n_iter must be an integer >= 1, got {n_iter!r}")
        X = self._check_X(X)
        self.fit(X, y, n_classes)
        U = self._check_X(X_unlabelled)
        y = np.asarray(y)
        XA = np.vstack([X, U])
        self.floor_ = self.reg * np.maximum(XA.var(0), 1e-12)
        self._m_step(X, np.eye(self.n_classes_)[y])  # same start, floor from all inputs
        onehot = np.eye(self.n_classes_)[y]
        self.loglik_history_ = [self.observed_loglik(X, y, U)]
        for _ in range(n_iter):
            R = np.vstack([onehot, self.predict_proba(U)])  # E-step
            self._m_step(XA, R)  # M-step
            self.loglik_history_.append(self.observed_loglik(X, y, U))
            if self.loglik_history_[-1] - self.loglik_history_[-2] < tol * abs(self.loglik_history_[-2]):
                break
        self.train_log_px_ = self.log_px(XA)
        return self

    # ---------------------------------------------------------------- densities
    def log_class_densities(self, X) -> np.ndarray:
        """log p(x | y = k), shape (n, K). NaN entries are marginalised out (row by row)."""
        self._check_fitted()
        X = self._check_X(X, allow_nan=True)
        out = np.empty((X.shape[0], self.n_classes_))
        missing = np.isnan(X)
        if missing.any():  # group rows by which features they miss
            patterns, inverse = np.unique(missing, axis=0, return_inverse=True)
            groups = [(np.flatnonzero(inverse.ravel() == p), ~pat) for p, pat in enumerate(patterns)]
        else:
            groups = [(np.arange(X.shape[0]), np.ones(X.shape[1], dtype=bool))]
        for rows, keep in groups:
            if not keep.any():  # nothing observed: p(x_observed | y) = 1
                out[rows] = 0.0
                continue
            Xs = X[np.ix_(rows, keep)]
            for k in range(self.n_classes_):
                if self.covariance == "diag":
                    out[rows, k] = diag_gaussian_logpdf(Xs, self.means_[k, keep], self.vars_[k, keep])
                else:
                    out[rows, k] = gaussian_logpdf(Xs, self.means_[k, keep], self.covs_[k][np.ix_(keep, keep)])
        return out

    def log_joint(self, X) -> np.ndarray:
        """log p(x, y = k) = log p(x | y = k) + log p(y = k), shape (n, K)."""
        return self.log_class_densities(X) + np.log(self.priors_)

    def log_px(self, X) -> np.ndarray:
        """log p(x) = log Σ_k p(x | k) p(k): the density of the inputs, shape (n,)."""
        return logsumexp(self.log_joint(X), axis=1)

    def predict_proba(self, X) -> np.ndarray:
        """Bayes' rule: p(y = k | x) = p(x | k) p(k) / p(x), shape (n, K)."""
        lj = self.log_joint(X)
        return np.exp(lj - logsumexp(lj, axis=1, keepdims=True))

    def predict(self, X) -> np.ndarray:
        return self.log_joint(X).argmax(1)

    def observed_loglik(self, X, y, X_unlabelled=None) -> float:
        """Σ_labelled log p(x, y) + Σ_unlabelled log p(x): what EM climbs."""
        X = self._check_X(X)
        ll = self.log_joint(X)[np.arange(len(X)), np.asarray(y)].sum()
        if X_unlabelled is not None and len(X_unlabelled):
            ll += self.log_px(X_unlabelled).sum()
        return float(ll)

    def impute(self, X) -> np.ndarray:
        """Fill NaN entries with their expected value given the observed ones, E[x_miss | x_obs].

        For one Gaussian class this is the conditional mean mu_m + S_mo S_oo^-1 (x_o - mu_o); the model's
        answer averages those over classes, weighted by p(y = k | x_obs).
        """
        X = self._check_X(X, allow_nan=True).copy()
        missing = np.isnan(X)
        if not missing.any():
            return X
        post = self.predict_proba(X)  # p(k | observed part), marginalising the NaNs
        for i in np.flatnonzero(missing.any(1)):
            m, o = missing[i], ~missing[i]
            fill = np.zeros(m.sum())
            for k in range(self.n_classes_):
                mu, S = self.means_[k], self.covs_[k]
                cond = mu[m] + (S[np.ix_(m, o)] @ np.linalg.solve(S[np.ix_(o, o)], X[i, o] - mu[o]) if o.any() else 0)
                fill += post[i, k] * cond
            X[i, m] = fill
        return X

    # ---------------------------------------------------------------- generating and outliers
    def sample(self, n: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Ancestral sampling: draw y ~ p(y), then x ~ p(x | y). Returns (X, y)."""
        self._check_fitted()
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be an integer >= 0, got {n!r}")
        joint = GaussianMixture(means=self.means_, covs=self.covs_, weights=tuple(self.priors_ / self.priors_.sum()))
        return joint.sample_with_labels(n, seed)

    def ood_threshold(self, quantile: float = 0.01) -> float:
        """The log p(x) below which only a fraction ``quantile`` of the training inputs fall."""
        self._check_fitted()
        if not (0 <= quantile < 1):
            raise ValueError(f"quantile must lie in [0, 1), got {quantile!r}")
        return float(np.quantile(self.train_log_px_, quantile))

    def is_ood(self, X, quantile: float = 0.01) -> np.ndarray:
        """True where log p(x) is lower than all but ``quantile`` of the training inputs."""
        return self.log_px(X) < self.ood_threshold(quantile)
