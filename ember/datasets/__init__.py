"""Small real data sets shipped inside ember, so the demo and the tests need no download.

- California Housing (Pace and Barry, 1997; StatLib): 20640 block groups, the 8
  features scikit-learn derives (MedInc, HouseAge, AveRooms, AveBedrms,
  Population, AveOccup, Latitude, Longitude) and the median house value in
  units of 100,000 USD, computed from the original file as scikit-learn does.
- Digits (UCI optical recognition of handwritten digits, as scikit-learn ships
  it): 1797 8x8 images with values 0..16, and their labels 0..9.
"""
import gzip
import os

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))

HOUSING_FEATURES = ("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude",
                    "Longitude")


def california_housing():
    """(X, y): float64 arrays of shape (20640, 8) and (20640,)."""
    with gzip.open(os.path.join(_HERE, "cal_housing.data.gz"), "rt") as f:
        raw = np.loadtxt(f, delimiter=",")
    lon, lat, age, rooms, bedrooms, pop, households, income, value = raw.T
    X = np.column_stack([income, age, rooms / households, bedrooms / households, pop, pop / households, lat, lon])
    return X, value / 100000.0


def digits():
    """(X, y): float64 images flattened to (1797, 64) with values 0..16, and int64 labels."""
    with np.load(os.path.join(_HERE, "digits.npz")) as d:
        return d["images"].astype(np.float64), d["target"].astype(np.int64)
