-- Drives `deferfix lsp` from a real editor, headless: open $LSP_FILE, attach the server,
-- wait for its diagnostic, ask for code actions on that line, apply the preferred quick
-- fix with Neovim's own workspace-edit code, write the file and quit. Prints what it saw;
-- any failure quits with status 1. Works on Neovim 0.7 (Debian bookworm) and later.
local function fail(msg)
  io.stderr:write("nvim: " .. msg .. "\n")
  vim.cmd("cquit 1")
end

local function main()
  local file = assert(vim.env.LSP_FILE, "LSP_FILE not set")
  local deferfix = assert(vim.env.DEFERFIX, "DEFERFIX not set")
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()

  local start = vim.loop.hrtime()
  local id = vim.lsp.start_client({
    name = "deferfix",
    cmd = { deferfix, "lsp" },
    root_dir = vim.fn.fnamemodify(file, ":p:h"),
  })
  if not id then
    return fail("could not start deferfix lsp")
  end
  vim.lsp.buf_attach_client(buf, id)

  if not vim.wait(120000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
    return fail("no diagnostic from deferfix lsp")
  end
  local ms = (vim.loop.hrtime() - start) / 1e6
  local d = vim.diagnostic.get(buf)[1]
  local before = #vim.diagnostic.get(buf)
  io.stdout:write(string.format("diagnostic %d:%d %s (%s) after %.0f ms\n", d.lnum + 1, d.col + 1, d.message, d.source or "", ms))

  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = d.lnum, character = 0 }, ["end"] = { line = d.lnum, character = 0 } },
    context = { diagnostics = {} },
  }
  local results = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 120000)
  local action
  for _, r in pairs(results or {}) do
    for _, a in ipairs(r.result or {}) do
      io.stdout:write(string.format("code action: %s [%s]%s\n", a.title, a.kind or "", a.isPreferred and " preferred" or ""))
      if a.kind == "quickfix" and a.isPreferred and not action then
        action = a
      end
    end
  end
  if not action then
    return fail("no preferred quick fix")
  end
  local client = vim.lsp.get_client_by_id(id)
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  vim.cmd("write")
  io.stdout:write("applied: " .. action.title .. "\n")

  -- The save is analyzed again: the fixed finding goes away.
  if not vim.wait(120000, function() return #vim.diagnostic.get(buf) < before end, 50) then
    return fail("the diagnostic stayed after the fix was written")
  end
  io.stdout:write(string.format("diagnostics after save: %d (were %d)\n", #vim.diagnostic.get(buf), before))
  vim.lsp.stop_client(id)
  vim.cmd("qall!")
end

local ok, err = pcall(main)
if not ok then
  fail(tostring(err))
end
