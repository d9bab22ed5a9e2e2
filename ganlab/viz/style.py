"""One palette for every figure in the course (colour-blind-safe hues, distinct in greyscale too).

``data`` is always p_data / real samples, ``gen`` always p_g / fakes, ``d`` the learned
discriminator, ``dstar`` the optimal D*, ``grey`` reference lines.
"""

COLORS = {"data": "#2b8a3e", "gen": "#1c7ed6", "d": "#e8590c", "dstar": "#862e9c", "grey": "#868e96"}
