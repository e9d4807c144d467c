std = "lua54"
max_line_length = 120
-- Specs quote whole XML lines.
files["spec/**/*_spec.lua"] = { std = "+busted", max_line_length = 140 }
exclude_files = { "build/**" }
