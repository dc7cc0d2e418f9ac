#!/usr/bin/env python3
"""Six simulated Feetech STS3215 servos (ids 1-6) behind a real pseudo-terminal: a stand-in for an SO-100/101 arm's
serial bus, for tests and for trying `--robot.type=so101_follower` / `--teleop.type=so101_leader` without hardware.

  feetech_bus.py [--calibration-dir DIR --kind robots/so_follower --id ID] [--present a,b,c,d,e,f] [--drift DEG_PER_S]

Prints `PORT <path>` (give it as --robot.port / --teleop.port) and `READY`, then answers instruction packets (Feetech
protocol 0: ping, read, write, sync read, sync write) from a register file per motor until stdin closes. A written
Goal_Position becomes the Present_Position at once. With --calibration-dir it also writes LeRobot's calibration file
`DIR/<kind>/<ID>.json` (homing offset 0, range 1000-3000 for every motor). --present sets the raw present positions
(default 2000 = mid-range); --drift moves every present position by that many raw steps per second (a leader arm
being moved by hand). One JSON line per SYNC WRITE of Goal_Position goes to stdout: {"goal": [raw x6]}.
"""
import argparse
import json
import os
import select
import sys
import threading
import time
import tty

MOTORS = ["shoulder_pan", "shoulder_lift", "elbow_flex", "wrist_flex", "wrist_roll", "gripper"]
PRESENT, GOAL = 56, 42


class Servos:
    def __init__(self, present, drift):
        self.regs = {}
        for motor_id, value in zip(range(1, 7), present):
            r = bytearray(100)
            r[0], r[1] = 3, 10  # firmware 3.10
            r[3:5] = (777).to_bytes(2, "little")  # STS3215
            r[5] = motor_id
            r[PRESENT:PRESENT + 2] = int(value).to_bytes(2, "little")
            self.regs[motor_id] = r
        self.drift, self.start = drift, time.monotonic()
        self.lock = threading.Lock()

    def present(self, motor_id):
        value = int.from_bytes(self.regs[motor_id][PRESENT:PRESENT + 2], "little")
        if self.drift:
            value = max(0, min(4095, value + int(self.drift * (time.monotonic() - self.start))))
        return value

    def read(self, motor_id, address, length):
        r = bytearray(self.regs[motor_id])
        r[PRESENT:PRESENT + 2] = self.present(motor_id).to_bytes(2, "little")
        return bytes(r[address:address + length])

    def write(self, motor_id, address, data):
        r = self.regs[motor_id]
        r[address:address + len(data)] = data
        if address == GOAL:
            r[PRESENT:PRESENT + len(data)] = data


def status(motor_id, params=b""):
    body = bytes([motor_id, len(params) + 2, 0]) + params
    return b"\xff\xff" + body + bytes([~sum(body) & 0xFF])


def handle(servos, packet):
    motor_id, instruction, p = packet[2], packet[4], packet[5:-1]
    if (sum(packet[2:-1]) + packet[-1]) & 0xFF != 0xFF:
        return b""  # bad checksum: a real servo stays silent
    with servos.lock:
        if instruction == 0x01 and motor_id in servos.regs:
            return status(motor_id)
        if instruction == 0x02 and motor_id in servos.regs:
            return status(motor_id, servos.read(motor_id, p[0], p[1]))
        if instruction == 0x03 and motor_id in servos.regs:
            servos.write(motor_id, p[0], p[1:])
            return status(motor_id)
        if instruction == 0x82:
            return b"".join(status(m, servos.read(m, p[0], p[1])) for m in p[2:] if m in servos.regs)
        if instruction == 0x83:
            address, length, goals, i = p[0], p[1], [], 2
            while i + 1 + length <= len(p):  # entries: motor id, then `length` data bytes
                m, data = p[i], p[i + 1:i + 1 + length]
                if m in servos.regs:
                    servos.write(m, address, data)
                goals.append(int.from_bytes(data, "little"))
                i += length + 1
            if address == GOAL:
                print(json.dumps({"goal": goals}), flush=True)
    return b""


def serve(master, servos, stop):
    pending = b""
    while not stop.is_set():
        ready, _, _ = select.select([master], [], [], 0.05)
        if not ready:
            continue
        try:
            pending += os.read(master, 4096)
        except OSError:
            return
        while True:
            start = pending.find(b"\xff\xff")
            if start < 0:
                pending = b""
                break
            pending = pending[start:]
            if len(pending) < 4 or len(pending) < 4 + pending[3]:
                break
            packet, pending = pending[:4 + pending[3]], pending[4 + pending[3]:]
            reply = handle(servos, packet)
            if reply:
                os.write(master, reply)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calibration-dir")
    p.add_argument("--kind", default="robots/so_follower", help="robots/so_follower or teleoperators/so_leader")
    p.add_argument("--id", default="sim_arm")
    p.add_argument("--present", default="2000,2000,2000,2000,2000,2000")
    p.add_argument("--drift", type=float, default=0.0)
    a = p.parse_args()
    present = [int(v) for v in a.present.split(",")]
    if len(present) != 6:
        p.error("--present takes six raw positions")
    if a.calibration_dir:
        directory = os.path.join(a.calibration_dir, a.kind)
        os.makedirs(directory, exist_ok=True)
        calibration = {name: {"id": i + 1, "drive_mode": 0, "homing_offset": 0, "range_min": 1000, "range_max": 3000}
                       for i, name in enumerate(MOTORS)}
        with open(os.path.join(directory, f"{a.id}.json"), "w") as f:
            json.dump(calibration, f, indent=4)
    master, slave = os.openpty()
    tty.setraw(master)
    servos, stop = Servos(present, a.drift), threading.Event()
    thread = threading.Thread(target=serve, args=(master, servos, stop), daemon=True)
    thread.start()
    print(f"PORT {os.ttyname(slave)}", flush=True)
    print("READY", flush=True)
    sys.stdin.read()  # runs until stdin closes
    stop.set()
    thread.join(1)


if __name__ == "__main__":
    main()
