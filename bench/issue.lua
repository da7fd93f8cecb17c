-- wrk script: POST a walk-in ticket, rotating over walk-in-only services, as the enrolled kiosk
-- whose device token is in ANTRE_KIOSK_TOKEN (bench/cpu.py enrols it).
local auth = "Bearer " .. assert(os.getenv("ANTRE_KIOSK_TOKEN"), "ANTRE_KIOSK_TOKEN is not set")
local services = {"kartu-keluarga", "akta-kelahiran", "pbb-p2", "pkb-tahunan", "perizinan-berusaha", "jkn"}
local i = 0
request = function()
  i = i + 1
  local body = '{"service":"' .. services[(i % #services) + 1] .. '"}'
  return wrk.format("POST", "/api/v1/tickets", {["Content-Type"] = "application/json", ["Authorization"] = auth}, body)
end
