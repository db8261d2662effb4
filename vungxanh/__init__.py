"""Vùng Xanh: epidemic response and economic recovery for a district, a province or a country."""

__version__ = "0.1.0"
