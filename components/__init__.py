"""What the user sees: ids, pure figure builders (frame -> figure dict), and layout builders."""
