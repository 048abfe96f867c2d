"""The op table: one entry per differentiable primitive, grouped by family."""
