package com.cardlet.tests.vmconform;

interface Sized extends Shape {
    short size();
}
