"""Importers that derive data/ files from the reference snapshots, rerunnably."""
