package android.bluetooth;

public final class BluetoothAdapter { public String getAddress() { return null; } }
