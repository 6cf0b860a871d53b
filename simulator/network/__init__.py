"""Multiplex social network: one directed layer per medium over the same people, as CSR arrays."""

from simulator.network.layers import Layer, Network, Tie, build_network
from simulator.network.loading import from_networkx, read_edge_list

__all__ = ["Layer", "Network", "Tie", "build_network", "from_networkx", "read_edge_list"]
