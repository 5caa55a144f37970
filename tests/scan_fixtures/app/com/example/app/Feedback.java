package com.example.app;

import android.hardware.Camera;
import android.hardware.camera2.CameraManager;

public class Feedback {
    public Camera takePhoto() {
        return Camera.open();
    }

    public void openCamera2(CameraManager manager) {
        manager.openCamera("0", null, null);
    }
}
