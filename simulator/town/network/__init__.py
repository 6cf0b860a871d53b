"""Multiplex social network: one directed layer per medium over the same people, as CSR arrays."""

from simulator.town.network.build import LAYER_KINDS, build_network
from simulator.town.network.layers import Layer, Network, Tie
from simulator.town.network.loading import (
    GraphWarning,
    check_edge_lists,
    check_graphs,
    from_networkx,
    read_edge_list,
)

__all__ = [
    "LAYER_KINDS",
    "GraphWarning",
    "Layer",
    "Network",
    "Tie",
    "build_network",
    "check_edge_lists",
    "check_graphs",
    "from_networkx",
    "read_edge_list",
]
