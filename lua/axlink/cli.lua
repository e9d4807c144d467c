--- The axlink command line (DESIGN 8). Exit status: 0 all well, 1 rule or
-- validation errors, 2 bad input or usage.
-- @module axlink.cli

local argparse = require "argparse"
local axlink = require "axlink"

local M = {}

local function parser()
  local p = argparse("axlink", "HDN AX messages and Consumenten Data Leverancier links.")
    :epilog("Example: axlink show aanvraag.xml")
  p:flag("--version", "Print the version and exit.")
  p:command_target("command")
  p:require_command(false)
  p:command("demo", "Run the main job on the bundled example data.")
  local show = p:command("show", "Summarise an AX message (structure only, no personal values).")
    :epilog("Example: axlink show aanvraag.xml")
  show:argument("file", "The AX file, or - for standard input.")
  return p
end

local function read_input(file)
  if file == "-" then
    return axlink.parse(io.stdin:read("a"), { name = "stdin" })
  end
  return axlink.read(file)
end

--- Runs the command line; returns the exit status.
function M.main(argv)
  local p = parser()
  local ok, args = p:pparse(argv)
  if not ok then
    io.stderr:write(p:get_usage(), "\n", "axlink: ", args, "\n")
    return 2
  end
  if args.version then
    io.stdout:write("axlink ", axlink._VERSION, " (libxml2 ", axlink.libxml2_version, ")\n")
    return 0
  end
  if args.command == "demo" then
    local done, err = require("axlink.demo").run(io.stdout)
    if not done then
      io.stderr:write(err, "\n")
      return 2
    end
    return 0
  elseif args.command == "show" then
    local msg, err = read_input(args.file)
    if not msg then
      io.stderr:write("axlink: ", err, "\n")
      return 2
    end
    io.stdout:write(msg:root(), "\n")
    for _, line in ipairs(require("axlink.demo").summary(msg)) do
      io.stdout:write("  ", line, "\n")
    end
    return 0
  end
  io.stderr:write(p:get_help(), "\n")
  return 2
end

return M
