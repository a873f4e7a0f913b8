-- Argo CD health of a fleetscope.io ProfilingPolicy, from the operator's status conditions.
-- Works on Argo CD's Lua 5.1 and on Lua 5.4; `obj` is the live object.
local hs = { status = "Progressing", message = "Waiting for the operator to report status" }
if obj.status == nil or obj.status.conditions == nil then
  return hs
end

local generation = 0
if obj.metadata ~= nil and obj.metadata.generation ~= nil then
  generation = obj.metadata.generation
end
local observed = obj.status.observedGeneration
if observed == nil or observed < generation then
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local byType = {}
for _, c in ipairs(obj.status.conditions) do
  -- A condition written for an older generation says nothing about the current spec.
  if c.observedGeneration == nil or c.observedGeneration >= generation then
    byType[c.type] = c
  end
end
local function text(c, fallback)
  if c.message ~= nil and c.message ~= "" then
    return c.type .. ": " .. c.message
  end
  if c.reason ~= nil and c.reason ~= "" then
    return c.type .. ": " .. c.reason
  end
  return fallback
end

local degraded = byType["Degraded"]
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = text(degraded, "Degraded")
  return hs
end
-- Another policy of higher precedence selects some of the same namespaces: this policy does not
-- do everything it says, which needs a person.
local conflict = byType["Conflict"]
if conflict ~= nil and conflict.status == "True" then
  hs.status = "Degraded"
  hs.message = text(conflict, "Conflict with another policy")
  return hs
end

local ready = byType["Ready"]
if ready == nil or ready.status ~= "True" then
  for _, t in ipairs({ "PyroscopeReady", "WebhookReady" }) do
    local c = byType[t]
    if c ~= nil and c.status ~= "True" then
      hs.message = text(c, t .. " is " .. tostring(c.status))
      return hs
    end
  end
  if ready ~= nil then
    hs.message = text(ready, "Not ready")
  end
  return hs
end

local rollout = byType["RolloutComplete"]
if rollout ~= nil and rollout.status ~= "True" then
  hs.message = text(rollout, "Rollout in progress")
  return hs
end

hs.status = "Healthy"
hs.message = text(ready, "Ready")
return hs
