"""Multiplex social network: one directed layer per medium over the same people, as CSR arrays."""

from simulator.town.network.layers import Layer, Network, Tie, build_network
from simulator.town.network.loading import (
    GraphWarning,
    check_edge_lists,
    check_graphs,
    from_networkx,
    read_edge_list,
)

__all__ = [
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
