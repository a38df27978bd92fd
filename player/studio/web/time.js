// Times in the playlist's time zone: the page's date pickers show wall-clock time there, schedules
// and the API take ISO 8601 with the offset.

// The wall-clock offset of an IANA zone at a moment, in minutes east of UTC.
function zoneOffsetMinutes(zone, ms) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

function validZone(zone) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function offsetText(minutes) {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

// "2026-12-01T09:30" (a datetime-local value) read as wall-clock time in `zone` ->
// "2026-12-01T09:30:00+08:00", the form schedules and the API take.
export function zonedIso(local, zone) {
  if (!local) return '';
  const [date, time = '00:00'] = local.split('T');
  const [y, mo, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, d, hh, mm);
  let offset = 0;
  if (zone && validZone(zone)) {
    offset = zoneOffsetMinutes(zone, wall);
    offset = zoneOffsetMinutes(zone, wall - offset * 60000);
  } else {
    offset = -new Date(y, mo - 1, d, hh, mm).getTimezoneOffset();
  }
  return `${date}T${time.slice(0, 5)}:00${offsetText(offset)}`;
}

// "2026-12-01T09:30:00+08:00" -> "2026-12-01T09:30" as wall-clock time in `zone`.
export function localFromIso(iso, zone) {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const offset = zone && validZone(zone) ? zoneOffsetMinutes(zone, ms) : -new Date(ms).getTimezoneOffset();
  return new Date(ms + offset * 60000).toISOString().slice(0, 16);
}

export function nowLocal(zone) {
  return localFromIso(new Date().toISOString(), zone);
}
