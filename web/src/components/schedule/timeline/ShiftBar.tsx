// One shift on a track: a focusable button named "Alice (demo), Mon 09:00 – Tue 09:00", both zones
// on hover, and (for people who may) a menu with "Override this shift".
import { Menu, MenuItem, MenuList, MenuPopover, MenuTrigger, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { CalendarEditRegular } from "@fluentui/react-icons";
import type { TimeRange } from "../../../pages/schedule/types";
import { place, type RangeKind } from "./geometry";
import { bothZones, shiftLabel } from "./labels";

export interface Bar {
  key: string;
  /** Display name(s); null: nobody (a gap). */
  who: string | null;
  /** Stable key for the colour (user ids). */
  colorKey: string;
  start: Date;
  end: Date;
}

const useStyles = makeStyles({
  item: { position: "absolute", top: tokens.spacingVerticalXXS, bottom: tokens.spacingVerticalXXS, listStyleType: "none", minWidth: "2px" },
  bar: {
    width: "100%",
    height: "100%",
    boxSizing: "border-box",
    overflow: "hidden",
    whiteSpace: "nowrap",
    textOverflow: "ellipsis",
    textAlign: "start",
    padding: `0 ${tokens.spacingHorizontalXS}`,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusSmall,
    color: tokens.colorNeutralForeground1,
    fontSize: tokens.fontSizeBase200,
    fontFamily: tokens.fontFamilyBase,
    cursor: "pointer",
    ":focus-visible": { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`, outlineOffset: "1px" },
  },
  gap: {
    backgroundColor: tokens.colorPaletteRedBackground2,
    border: `${tokens.strokeWidthThick} dashed ${tokens.colorPaletteRedBorderActive}`,
    fontWeight: tokens.fontWeightSemibold,
  },
  c0: { backgroundColor: tokens.colorPaletteBlueBackground2 },
  c1: { backgroundColor: tokens.colorPaletteGreenBackground2 },
  c2: { backgroundColor: tokens.colorPaletteMarigoldBackground2 },
  c3: { backgroundColor: tokens.colorPaletteBerryBackground2 },
  c4: { backgroundColor: tokens.colorPaletteTealBackground2 },
  c5: { backgroundColor: tokens.colorPaletteLavenderBackground2 },
  c6: { backgroundColor: tokens.colorPalettePeachBackground2 },
  c7: { backgroundColor: tokens.colorPaletteSteelBackground2 },
});

type ColorSlot = "c0" | "c1" | "c2" | "c3" | "c4" | "c5" | "c6" | "c7";

/** The same person gets the same colour on every row and page. */
function colorOf(key: string): ColorSlot {
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `c${h % 8}` as ColorSlot;
}

export interface ShiftBarProps {
  bar: Bar;
  range: TimeRange;
  kind: RangeKind;
  viewerZone: string;
  scheduleZone: string;
  /** Set when the person may override: the menu offers "Override this shift". */
  onOverride?: (range: TimeRange) => void;
}

export function ShiftBar({ bar, range, kind, viewerZone, scheduleZone, onOverride }: ShiftBarProps) {
  const s = useStyles();
  const { left, width } = place(bar.start, bar.end, range.start, range.end);
  if (width <= 0) return null;
  const gap = bar.who === null;
  const name = gap ? "Gap: nobody on call" : bar.who!;
  const label = shiftLabel(name, bar.start, bar.end, viewerZone, kind);
  const className = mergeClasses(s.bar, gap ? s.gap : s[colorOf(bar.colorKey)]);
  const title = `${gap ? "Nobody on call" : bar.who}\n${bothZones(bar.start, bar.end, viewerZone, scheduleZone)}`;
  const style = { left: `${left * 100}%`, width: `${width * 100}%` };
  if (!onOverride) {
    return (
      <li className={s.item} style={style}>
        {/* Focusable so keyboard users reach every shift's name and times. */}
        <div className={className} tabIndex={0} role="note" aria-label={label} title={title}>
          {name}
        </div>
      </li>
    );
  }
  return (
    <li className={s.item} style={style}>
      <Menu>
        <MenuTrigger disableButtonEnhancement>
          <button type="button" className={className} aria-label={label} title={title} data-shift>
            {name}
          </button>
        </MenuTrigger>
        <MenuPopover>
          <MenuList>
            <MenuItem icon={<CalendarEditRegular />} onClick={() => onOverride({ start: bar.start, end: bar.end })}>
              Override this shift
            </MenuItem>
          </MenuList>
        </MenuPopover>
      </Menu>
    </li>
  );
}
