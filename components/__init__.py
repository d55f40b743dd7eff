"""What the user sees: ids, pure figure builders (frame -> go.Figure), and layout builders."""
